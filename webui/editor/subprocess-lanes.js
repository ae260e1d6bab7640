// Lanes across expanded sub-processes. SpiffWorkflow (and the shipped lifecycle) lets a process's
// lanes list flow nodes inside its sub-processes; bpmn-js keeps lane membership only for nodes
// directly in the pool. So a node created or moved inside a sub-process joins the lane under it
// here (innermost lane containing its centre), as one undoable command with the change.
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor';
import { is } from 'bpmn-js/lib/util/ModelUtil';

function contains(lane, point) {
  return point.x >= lane.x && point.x <= lane.x + lane.width && point.y >= lane.y && point.y <= lane.y + lane.height;
}

function remove(list, item) {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
  return index;
}

class UpdateSubProcessLaneHandler {
  execute(context) {
    const { bo, lane } = context;
    context.before = (bo.get('lanes') || []).slice();
    for (const old of context.before) remove(old.get('flowNodeRef'), bo);
    bo.get('lanes').length = 0;
    if (lane) {
      lane.get('flowNodeRef').push(bo);
      bo.get('lanes').push(lane);
    }
    return [];
  }

  revert(context) {
    const { bo, lane } = context;
    if (lane) remove(lane.get('flowNodeRef'), bo);
    bo.get('lanes').length = 0;
    for (const old of context.before) {
      old.get('flowNodeRef').push(bo);
      bo.get('lanes').push(old);
    }
    return [];
  }
}

export default class SubProcessLanes extends CommandInterceptor {
  constructor(eventBus, elementRegistry, commandStack) {
    super(eventBus);
    commandStack.registerHandler('schemeflow.updateSubProcessLane', UpdateSubProcessLaneHandler);
    // After bpmn-js's own lane update (priority 500), which knows only the pool's direct children.
    this.postExecuted(['shape.create', 'shape.move', 'shape.resize'], 250, ({ context }) => {
      const shape = context.shape;
      if (!shape || !is(shape, 'bpmn:FlowNode')) return;
      if (is(shape.parent, 'bpmn:SubProcess')) {
        this.assign(shape, this.laneUnder(shape));
        this.releaseSubProcess(shape.parent);
      }
      if (is(shape, 'bpmn:SubProcess')) this.releaseSubProcess(shape);
    });
    this.elementRegistry = elementRegistry;
    this.commandStack = commandStack;
  }

  laneUnder(shape) {
    const centre = { x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 };
    const lanes = this.elementRegistry.filter((e) => is(e, 'bpmn:Lane') && contains(e, centre))
      .sort((a, b) => a.width * a.height - b.width * b.height);
    return lanes.length ? lanes[0].businessObject : null;
  }

  assign(shape, lane) {
    const current = shape.businessObject.get('lanes') || [];
    if (current.length === (lane ? 1 : 0) && (!lane || current[0] === lane)) return;
    this.commandStack.execute('schemeflow.updateSubProcessLane', { bo: shape.businessObject, lane });
  }

  // SpiffWorkflow gives every task of a sub-process that sits in a lane that lane, over the tasks'
  // own: a sub-process whose nodes have lanes of their own must be in none (as the lifecycle's are).
  releaseSubProcess(subProcess) {
    const nodes = (subProcess.children || []).filter((c) => is(c, 'bpmn:FlowNode'));
    if (nodes.some((c) => (c.businessObject.get('lanes') || []).length)) this.assign(subProcess, null);
  }
}
SubProcessLanes.$inject = ['eventBus', 'elementRegistry', 'commandStack'];
